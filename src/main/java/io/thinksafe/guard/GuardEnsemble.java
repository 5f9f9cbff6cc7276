package io.thinksafe.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * Several judges over the same pairs. {@code ALL}: safe only when every member says safe (an
 * error anywhere makes an error unless someone said unsafe); {@code MAJORITY}: safe when more
 * than half the members say safe, errors counting against. The members' verdicts are kept for the
 * agreement table.
 */
public final class GuardEnsemble implements Guard {
    public enum Policy { ALL, MAJORITY }

    private final List<Guard> members;
    private final Policy policy;
    private final List<List<GuardVerdict>> history = new ArrayList<>();

    public GuardEnsemble(List<Guard> members, Policy policy) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two guards");
        }
        this.members = List.copyOf(members);
        this.policy = policy;
    }

    @Override
    public String name() {
        return policy.name().toLowerCase(java.util.Locale.ROOT) + "(" + String.join(", ", members.stream().map(Guard::name).toList()) + ")";
    }

    public List<Guard> members() {
        return members;
    }

    @Override
    public List<GuardVerdict> judge(List<GuardInput> inputs) {
        List<List<GuardVerdict>> byMember = new ArrayList<>();
        for (Guard g : members) {
            byMember.add(g.judge(inputs));
        }
        List<GuardVerdict> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            List<GuardVerdict> votes = new ArrayList<>();
            for (List<GuardVerdict> m : byMember) {
                votes.add(m.get(i));
            }
            history.add(votes);
            out.add(combine(votes));
        }
        return out;
    }

    @Override
    public long tokensRead(List<GuardInput> inputs) {
        long n = 0;
        for (Guard g : members) {
            n += g.tokensRead(inputs);
        }
        return n;
    }

    GuardVerdict combine(List<GuardVerdict> votes) {
        long safe = votes.stream().filter(v -> v.verdict() == Verdict.SAFE).count();
        long unsafe = votes.stream().filter(v -> v.verdict() == Verdict.UNSAFE).count();
        long errors = votes.size() - safe - unsafe;
        Verdict v;
        if (policy == Policy.ALL) {
            v = unsafe > 0 ? Verdict.UNSAFE : errors > 0 ? Verdict.ERROR : Verdict.SAFE;
        } else {
            v = safe * 2 > votes.size() ? Verdict.SAFE : unsafe * 2 >= votes.size() || unsafe > 0 ? Verdict.UNSAFE : Verdict.ERROR;
        }
        List<String> cats = votes.stream().flatMap(x -> x.categories().stream()).distinct().toList();
        Double pSafe = votes.stream().filter(x -> x.pSafe() != null).mapToDouble(GuardVerdict::pSafe).min().stream().boxed().findFirst().orElse(null);
        String raw = String.join(" | ", votes.stream().map(x -> x.guard() + ": " + x.verdict().json()).toList());
        return new GuardVerdict(name(), v, pSafe, cats, null, null, raw, v == Verdict.ERROR ? "members gave no usable majority" : null);
    }

    /** Pairwise agreement over every pair judged so far: share agreeing and Cohen's kappa (safe vs not safe). */
    public List<Agreement> agreement() {
        List<Agreement> out = new ArrayList<>();
        for (int a = 0; a < members.size(); a++) {
            for (int b = a + 1; b < members.size(); b++) {
                int n = 0;
                int agree = 0;
                int aSafe = 0;
                int bSafe = 0;
                for (List<GuardVerdict> votes : history) {
                    boolean x = votes.get(a).safe();
                    boolean y = votes.get(b).safe();
                    n++;
                    agree += x == y ? 1 : 0;
                    aSafe += x ? 1 : 0;
                    bSafe += y ? 1 : 0;
                }
                out.add(Agreement.of(members.get(a).name(), members.get(b).name(), n, agree, aSafe, bSafe));
            }
        }
        return out;
    }

    /** Agreement of two judges on n pairs; {@code kappa} is NaN when chance agreement is total. */
    public record Agreement(String first, String second, int n, double observed, double kappa) {
        static Agreement of(String a, String b, int n, int agree, int aSafe, int bSafe) {
            if (n == 0) {
                return new Agreement(a, b, 0, Double.NaN, Double.NaN);
            }
            double po = (double) agree / n;
            double pa = (double) aSafe / n;
            double pb = (double) bSafe / n;
            double pe = pa * pb + (1 - pa) * (1 - pb);
            double kappa = pe >= 1 ? Double.NaN : (po - pe) / (1 - pe);
            return new Agreement(a, b, n, po, kappa);
        }
    }

    @Override
    public void close() {
        members.forEach(Guard::close);
    }
}
