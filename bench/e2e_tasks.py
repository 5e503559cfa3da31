"""The minimal task the payments worker is compared with: one INSERT, through the same backend."""

from django.db import connection
from django.tasks import task

SINK_TABLE = "bench_e2e_task_sink"


@task
def insert_row(n: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {SINK_TABLE} (n) VALUES (%s)", [n])
    return n
