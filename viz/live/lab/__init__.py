"""The digit lab: 3Blue1Brown's digit network (784-16-16-10), drawn on, trained live and stepped through.

A room of the live app beside the playground: ``routes`` (its page and JSON controls), ``session``
(one tab's model, trainer and shown digit), ``examine`` (one digit's forward and backward on the
engine's replay), ``images`` (MNIST's preprocessing of a drawing), ``data`` (MNIST or the 8x8 digits)
and ``setup`` (its fields and limits).
"""
