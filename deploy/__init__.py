"""Scale-out mode: several Rasa and action servers behind nginx, sharing PostgreSQL and Redis (see README.md)."""
