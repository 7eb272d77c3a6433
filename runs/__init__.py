"""The run history: every run kept, to list, show and compare later."""
