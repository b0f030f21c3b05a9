"""Input adapters: each way into baclo (options, a screening file, FHIR) produces one ``Record``."""
