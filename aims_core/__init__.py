"""AIMS Dashboard core: storage, catalogue, domain rules and the command line.

Nothing in this package imports Streamlit except :mod:`aims_core.ui`.
"""
