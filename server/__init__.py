"""EventAPI language server (pygls): thin LSP handlers over the generator core."""
