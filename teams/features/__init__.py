"""Teams features: each module registers its listeners (`register(app, services)`) and its renderers."""
