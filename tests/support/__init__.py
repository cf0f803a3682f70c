"""Helpers shared by the tests and the benchmarks: a throwaway PostgreSQL server, a scripted
chat-completions server and synthetic identifiers. Not part of the installed package."""
