"""Privacy: redacting personal data before anything is stored."""
