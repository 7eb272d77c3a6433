"""What people see: printed summaries and atomically written exports."""
