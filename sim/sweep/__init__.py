"""Parameter sweeps: experiments as data (spec), designs (grid, LHS, Sobol/Saltelli, Morris), execution, analysis."""
