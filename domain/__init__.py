"""Pure programme rules of the Citytrainers bot: no I/O, no clock, no user-facing text.

Every function takes the moment it reasons about (`today`, `now`) as a parameter, and every
per-programme threshold is a field of a frozen settings dataclass with the default from the issues.
Errors are returned as enums so the bot layer can translate them.
"""
