"""Runtime parts for running several Rasa servers: an atomic Redis lock store and a resilient tracker store."""
