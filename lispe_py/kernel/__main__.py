"""``python -m lispe_py.kernel install [--user | --prefix DIR | --sys-prefix] [--name NAME]``
installs the kernel spec; ``python -m lispe_py.kernel -f CONNECTION_FILE`` (what Jupyter
runs) starts the kernel."""

import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "install":
        from .install import main as install_main
        return install_main(argv[1:])
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    from .kernel import launch
    launch(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
