"""Guard-model judges: ask a guard model (Qwen3Guard, Llama Guard 3/4, or any chat model with the rubric
prompt) behind an OpenAI-compatible endpoint whether text is safe, and map its categories onto the 31 risks.

``template`` builds the request, ``parse`` reads the verdict, ``cache`` keeps answered items, ``judge`` runs
the requests concurrently and summarises cost and latency, ``detector`` plugs it into ``assess``.
"""
