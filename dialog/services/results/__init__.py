"""Survey results for the dashboard, the löfte pages and the exports, one job per module.

* :mod:`.facts` – the analysed fields of each complete response, kept as answers complete;
* :mod:`.compute` – running the analysis for a round (:func:`~.compute.analyse`);
* :mod:`.store` – results kept in memory and in the database (:func:`~.store.results_for`);
* :mod:`.interpret` – focus suggestions, differences, the earlier round and the trend;
* :mod:`.outputs` – item labels, charts and workbook tables.
"""
