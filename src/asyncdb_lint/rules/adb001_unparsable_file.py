"""ADB001: a file that cannot be read or parsed."""

from asyncdb_lint.rules.base import Rule


class UnparsableFile(Rule):
    code = "ADB001"
    name = "unparsable-file"
    summary = "A file could not be read, decoded or parsed, so it was not checked."
    what_it_does = """
        Reports a file that cannot be read, that is not valid in its declared
        encoding (PEP 263 coding cookie or BOM, else UTF-8), or that is not valid
        Python. The rest of the run goes on.

        Syntax is checked only in the files the linter analyses: a file that
        mentions no database library, SQL execution method, `on_event` or
        `.state.`, and imports no project module that could hand it a database
        object, is passed over without being parsed (ruff, flake8 and your
        editor report its syntax errors).
        """
    why_bad = """
        Nothing in the file was checked: a syntax error may hide every other
        finding in it. It is reported instead of crashing so that one bad file
        never stops a run over a whole codebase.
        """
    example = """
        async def handler(:
            ...
        """
    use_instead = """
        async def handler():
            ...
        """

    def check(self, model, report) -> None:
        """Emitted by the checker itself, before there is a model."""
