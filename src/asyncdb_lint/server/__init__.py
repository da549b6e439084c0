"""`asyncdb-lint server`: the language server for editors.

projects.py knows the workspace (configuration, exclusions and the project
index of each open file) and lints buffers with the CLI's own machinery;
lsp.py speaks the protocol (pygls), and is the only module that imports it.
"""
