"""The public conformance suite every plugin passes: call it from a plugin's own tests.

    from sslsci.testing import CHECK_NAMES, run_check

    @pytest.mark.parametrize("check", CHECK_NAMES)
    def test_conformance(check, tmp_path):
        run_check("my_modality", check, tmp_path)

``sslsci plugin check NAME`` runs the same checks and prints a table.
"""

from sslsci.testing.conformance import CHECK_NAMES, CHECKS, CheckResult, run_check, run_checks

__all__ = ["CHECKS", "CHECK_NAMES", "CheckResult", "run_check", "run_checks"]
