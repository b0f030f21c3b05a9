"""Allow ``python -m baclofen_cli`` (through the same launcher as the ``baclo`` script)."""

from baclofen_cli.launch import main

if __name__ == "__main__":
    main()
