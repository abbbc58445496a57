/*
 * DuckDB's jaro_winkler_similarity(a, b) as a Spark SQL function, to the last bit, for the
 * Splink engine's Spark backend (sync/reconcile/splink_backend.py registers it as
 * crmsync_jaro_winkler). The algorithm is jarowinkler-cpp's, which DuckDB uses: over code
 * points, the match window is max(len)/2 - 1 (at least 0), each character of a takes the
 * first unmatched equal character of b in its window, half the matched characters out of
 * order are transpositions (integer division), and a common prefix of up to 4 raises a
 * Jaro similarity above 0.7 by 0.1 a character with one fused multiply-add.
 *
 * Built, with WithinOneEdit.java, into crmsync-spark.jar beside it (Java 11 bytecode;
 * Spark 3.5's classes on the class path):
 *
 *   cd sync/reconcile/spark && javac --release 11 -d classes \
 *       -cp "$(python -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')/jars/*" \
 *       *.java && jar --create --file crmsync-spark.jar -C classes . && rm -r classes
 */
package crmsync.spark;

import org.apache.spark.sql.api.java.UDF2;

public final class JaroWinkler implements UDF2<String, String, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(String a, String b) {
        if (a == null || b == null) {
            return null;
        }
        return similarity(a.codePoints().toArray(), b.codePoints().toArray());
    }

    static double similarity(int[] a, int[] b) {
        int la = a.length;
        int lb = b.length;
        if (la == 0 || lb == 0) {
            return 0.0;
        }
        int bound = Math.max(Math.max(la, lb) / 2 - 1, 0);
        boolean[] taken = new boolean[lb];
        int[] matched = new int[Math.min(la, lb)];
        int common = 0;
        for (int i = 0; i < la; i++) {
            int last = Math.min(lb - 1, i + bound);
            for (int j = Math.max(0, i - bound); j <= last; j++) {
                if (!taken[j] && b[j] == a[i]) {
                    taken[j] = true;
                    matched[common++] = a[i];
                    break;
                }
            }
        }
        if (common == 0) {
            return 0.0;
        }
        int outOfOrder = 0;
        for (int j = 0, k = 0; j < lb; j++) {
            if (taken[j]) {
                if (b[j] != matched[k]) {
                    outOfOrder++;
                }
                k++;
            }
        }
        double c = common;
        double sim = (c / la + c / lb + (c - outOfOrder / 2) / c) / 3.0;
        if (!(sim > 0.7)) {
            return sim;
        }
        int most = Math.min(Math.min(la, lb), 4);
        int prefix = 0;
        while (prefix < most && a[prefix] == b[prefix]) {
            prefix++;
        }
        return Math.min(Math.fma(prefix * 0.1, 1.0 - sim, sim), 1.0);
    }
}
