"""Input: declaration files in, checked documents out. Takes paths; parses the bytes into YAML
data with positions (parse), picks each file's form from the registry and validates it into the
form's model (load), runs the checks that need no output (checks: file locations, duplicates, and
the helpers forms build their rules from), and reads the bureau's roster (roster). Gives
core.document.LoadedDocument records with their problems. Imports core only: never an output."""
