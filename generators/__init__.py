"""EventAPI generator core: loader, model, rules, renderers and the CLI front end."""
