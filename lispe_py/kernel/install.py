"""Install the kernel spec (``kernel.json``) so that Jupyter lists the LispE kernel."""

import argparse
import json
import os
import sys
import tempfile

from . import DISPLAY_NAME, KERNEL_NAME


def kernel_spec(python=None):
    """The content of kernel.json: run this Python with ``-m lispe_py.kernel``."""
    return {
        "argv": [python or sys.executable, "-m", "lispe_py.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "lispe",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def install(user=False, prefix=None, name=KERNEL_NAME, display_name=None):
    """Install the spec; returns the folder it went to."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError:
        raise SystemExit("the Jupyter kernel needs jupyter_client and ipykernel: "
                         "pip install 'lispe-py[jupyter]'")
    spec = kernel_spec()
    if display_name:
        spec["display_name"] = display_name
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "kernel.json"), "w") as f:
            json.dump(spec, f, indent=2)
        return KernelSpecManager().install_kernel_spec(tmp, kernel_name=name, user=user,
                                                       prefix=prefix)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m lispe_py.kernel install",
                                description="Install the LispE Jupyter kernel spec.")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--user", action="store_true", help="install for the current user")
    g.add_argument("--prefix", help="install under PREFIX/share/jupyter/kernels")
    g.add_argument("--sys-prefix", action="store_true",
                   help="install under sys.prefix (the current virtual environment)")
    p.add_argument("--name", default=KERNEL_NAME, help="kernel name (default: lispe)")
    p.add_argument("--display-name", help="name shown in Jupyter (default: LispE)")
    opts = p.parse_args(argv)
    prefix = sys.prefix if opts.sys_prefix else opts.prefix
    where = install(user=opts.user, prefix=prefix, name=opts.name, display_name=opts.display_name)
    print("Installed the LispE kernel (name: %s) in %s" % (opts.name, where))
    return 0
