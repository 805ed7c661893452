"""Bring your own index over the API: advisors' own composite indices computed as jobs."""
