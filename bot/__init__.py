"""The assistant's Python package: NLU components, knowledge base, settings and servers."""
