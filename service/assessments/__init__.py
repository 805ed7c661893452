"""Energy assessments of inventories (jobs and the synchronous estimate) and named climates."""
