"""Human review: the web app (``safecorpus serve``), its store, queues, labels, reviews and statistics."""
