"""The notebooks in notebooks/ are kept as jupytext py:percent sources (`NN_name.py`, the clean diffs)
paired with their `.ipynb` (what Jupyter opens). Both are committed, so they must say the same thing,
and the `.ipynb` must carry no outputs (outputs belong to a reader's run, not to the repository).

`make test` also executes every notebook with nbmake (GOVSIM_NB_QUICK=1: short runs); this file only
checks the pairs, so it stays fast. To re-pair after editing a `.py`: `jupytext --sync notebooks/*.py`.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
QUICK_VARIABLE = "GOVSIM_NB_QUICK"


def _cells(notebook) -> list[tuple[str, str]]:
    """(cell type, source without trailing blank lines) of every cell."""
    return [(cell.cell_type, cell.source.rstrip()) for cell in notebook.cells]


def test_every_notebook_has_both_sides():
    assert len(SOURCES) >= 5, f"expected the five notebooks in {NOTEBOOKS}, found {[p.name for p in SOURCES]}"
    pythons = {p.stem for p in SOURCES}
    notebooks = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    assert pythons == notebooks, (f"unpaired: .py without .ipynb {sorted(pythons - notebooks)}, .ipynb without .py "
                                  f"{sorted(notebooks - pythons)}; run `jupytext --sync notebooks/*.py`")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_py_and_ipynb_have_the_same_cells(source: Path):
    paired = source.with_suffix(".ipynb")
    from_py, from_ipynb = _cells(jupytext.read(source)), _cells(nbformat.read(paired, as_version=4))
    assert len(from_py) == len(from_ipynb), (f"{source.name} has {len(from_py)} cells, {paired.name} "
                                             f"{len(from_ipynb)}; run `jupytext --sync notebooks/{source.name}`")
    for number, (mine, theirs) in enumerate(zip(from_py, from_ipynb), start=1):
        assert mine == theirs, (f"cell {number} differs between {source.name} and {paired.name}; edit one side and "
                                f"run `jupytext --sync notebooks/{source.name}`")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_ipynb_is_committed_without_outputs(source: Path):
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    run = [n for n, cell in enumerate(notebook.cells, start=1)
           if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not run, (f"{source.with_suffix('.ipynb').name}: cells {run} carry outputs; clear them "
                     f"(`jupyter nbconvert --clear-output --inplace` or Lab's Edit > Clear Outputs of All Cells)")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_a_parameters_cell_reads_the_quick_switch(source: Path):
    """Each notebook shortens its runs under GOVSIM_NB_QUICK (make test) in a cell tagged parameters."""
    cells = [cell for cell in jupytext.read(source).cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(cells) == 1 and QUICK_VARIABLE in cells[0].source, (
        f"{source.name}: expected one cell tagged 'parameters' that reads {QUICK_VARIABLE}")
