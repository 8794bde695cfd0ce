"""The side-by-side baseline for the reconciliation benchmark: an exact-reference matcher written the way a data team
would, with pandas — the bank lines and the open loans read from CSV and joined on the destination CLABE with
`merge`. It does one rule (exact reference); Cartera's matcher also reads references in the text, known payer
accounts, names, ties and splits. Usage:

    swift run -c release ReconciliationBenchmark 1000000 --write-csv /tmp/recon   # from Benchmarks/
    python pandas_baseline.py /tmp/recon
"""
import sys
import time

import pandas as pd

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/recon"
started = time.perf_counter()
lines = pd.read_csv(f"{folder}/lines.csv", dtype={"line_id": "int64", "amount": "int64", "reference": "string"})
loans = pd.read_csv(f"{folder}/loans.csv", dtype={"loan_id": "string", "clabe": "string", "amount_due": "int64"})
read = time.perf_counter()
matched = lines.merge(loans, how="left", left_on="reference", right_on="clabe", validate="many_to_one")
done = time.perf_counter()
posted = int(matched["loan_id"].notna().sum())
print(f"pandas {pd.__version__}: lines {len(lines)} loans {len(loans)} read {read - started:.2f} s merge {done - read:.2f} s "
      f"total {done - started:.2f} s matched {posted}")
