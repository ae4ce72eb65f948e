"""What a user starts from: `jixiao init`'s repository (repository), `jixiao new`'s commented
skeleton of a form (skeleton), and the JSON Schema editors check YAML against (schema)."""
