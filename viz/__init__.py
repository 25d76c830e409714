"""viz: drawings of the computation graph, the chain rule and the explorer."""
