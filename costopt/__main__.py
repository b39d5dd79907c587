"""Allow ``python -m costopt``."""

from costopt.cli import main

if __name__ == "__main__":
    main()
