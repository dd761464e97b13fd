"""A Jupyter kernel for LispE (lispe-py), on ipykernel's ``Kernel`` base class.

    pip install 'lispe-py[jupyter]'
    python -m lispe_py.kernel install [--user | --prefix DIR | --sys-prefix]
    jupyter lab            # then pick the "LispE" kernel (kernel name: lispe)

Cells share one interpreter. Printed output streams while a cell runs; the value of the
cell's last form is shown in LispE's printed form (tensors of more than 1000 elements
summarised); an error shows ``cell:line:col: Error: message``, the form and the chain of
LispE calls; Tab completes names, Shift-Tab shows their help; the interrupt button stops
a running cell; plots (torch_plot_losses, torch_plot_attention) display inline."""

KERNEL_NAME = "lispe"
DISPLAY_NAME = "LispE"

__all__ = ["KERNEL_NAME", "DISPLAY_NAME"]
