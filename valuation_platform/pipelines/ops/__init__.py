"""Platform operations: alerts raised by failed runs."""
