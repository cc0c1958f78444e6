"""Custom Rasa NLU components: language detection, Finnish lemmas, service-number topics."""
