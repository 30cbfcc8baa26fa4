"""Developer tools for the Citytrainers bot (not shipped in the wheel)."""
