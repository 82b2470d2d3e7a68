"""Pipeline steps, in the order they run. Each declares needs and produces."""
