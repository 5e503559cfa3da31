"""SecPortal Invoicing & Payments."""
