/*
 * DuckDB's damerau_levenshtein(a, b) <= 1 as a Spark SQL function, for the Splink engine's
 * Spark backend (sync/reconcile/splink_backend.py registers it as crmsync_within_one_edit):
 * a and b equal, or one insertion, deletion, substitution or swap of neighbours apart, over
 * code points. Linear: the distance itself (Splink's jar's) took eight times a Jaro-Winkler.
 * Built with JaroWinkler.java (see there).
 */
package crmsync.spark;

import org.apache.spark.sql.api.java.UDF2;

public final class WithinOneEdit implements UDF2<String, String, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean call(String a, String b) {
        if (a == null || b == null) {
            return null;
        }
        return within(a.codePoints().toArray(), b.codePoints().toArray());
    }

    static boolean within(int[] a, int[] b) {
        int la = a.length;
        int lb = b.length;
        if (Math.abs(la - lb) > 1) {
            return false;
        }
        int least = Math.min(la, lb);
        int i = 0;
        while (i < least && a[i] == b[i]) {
            i++;
        }
        if (la > lb) {
            return same(a, i + 1, b, i);
        }
        if (la < lb) {
            return same(a, i, b, i + 1);
        }
        if (i == la || same(a, i + 1, b, i + 1)) {
            return true;
        }
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && same(a, i + 2, b, i + 2);
    }

    /** Whether a from i on equals b from j on. */
    private static boolean same(int[] a, int i, int[] b, int j) {
        if (a.length - i != b.length - j) {
            return false;
        }
        for (; i < a.length; i++, j++) {
            if (a[i] != b[j]) {
                return false;
            }
        }
        return true;
    }
}
