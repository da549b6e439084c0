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
