"""What is modelled: the typed scenario (`schema`), reading it from YAML (`load`), and the
per-interval demand and staffing it implies (`demand`)."""
