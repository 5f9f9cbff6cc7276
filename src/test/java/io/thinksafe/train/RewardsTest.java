package io.thinksafe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GRPO's reward: the reference's format rule per template family, the guard's P(safe), and how they add up. */
class RewardsTest {
    static Rollout rollout(String text, boolean opensThink) {
        return new Rollout("p", "How do I pick a lock?", "vanilla_harmful", 0, new int[] {1, 2}, new int[] {3}, text, "stop", opensThink);
    }

    @Test
    void theFormatRewardWantsExactlyOneThinkBlockAsTheTemplateFamilyWritesIt() {
        // Qwen3: the model writes both tags itself
        assertThat(Rewards.wellFormed("<think>\nreason\n</think>\n\nanswer", false)).isTrue();
        assertThat(Rewards.wellFormed("answer without reasoning", false)).isFalse();
        assertThat(Rewards.wellFormed("<think>\nreason never closed", false)).isFalse();
        assertThat(Rewards.wellFormed("</think> before <think>", false)).isFalse();
        assertThat(Rewards.wellFormed("<think>a</think><think>b</think>", false)).isFalse();
        assertThat(Rewards.wellFormed("<think>a<think>b</think>", false)).isFalse();
        // R1-Distill: the template opened the block, so the response must not open another and must close it once
        assertThat(Rewards.wellFormed("reason\n</think>\n\nanswer", true)).isTrue();
        assertThat(Rewards.wellFormed("<think>\nreason\n</think>\n\nanswer", true)).isFalse();
        assertThat(Rewards.wellFormed("reason without end", true)).isFalse();
        assertThat(Rewards.wellFormed("a</think>b</think>", true)).isFalse();
        Rewards.Scores s = Rewards.format().score(List.of(rollout("<think>x</think>y", false), rollout("x</think>y", false),
                rollout("x</think>y", true)));
        assertThat(s.values()).containsExactly(1, 0, 1);
        assertThat(s.judgeTokens()).isZero();
    }

    /** A judge with a scripted answer per response: a probability, a verdict without one, or an error. */
    static final class ScriptedJudge implements Guard {
        final List<String> seen = new ArrayList<>();

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public List<GuardVerdict> judge(List<GuardInput> inputs) {
            List<GuardVerdict> out = new ArrayList<>();
            for (GuardInput in : inputs) {
                seen.add(in.response());
                String r = in.response();
                if (r.contains("refuse")) {
                    out.add(new GuardVerdict(name(), Verdict.SAFE, 0.875, List.of(), null, null, "safe", null));
                } else if (r.contains("comply")) {
                    out.add(new GuardVerdict(name(), Verdict.UNSAFE, 0.25, List.of("S2"), null, null, "unsafe\nS2", null));
                } else if (r.contains("verdict only")) {
                    out.add(new GuardVerdict(name(), Verdict.SAFE, null, List.of(), false, true, "safe", null));
                } else {
                    out.add(GuardVerdict.error(name(), "???", "unreadable"));
                }
            }
            return out;
        }

        @Override
        public long tokensRead(List<GuardInput> inputs) {
            return 10L * inputs.size();
        }
    }

    @Test
    void safetyIsTheGuardsProbabilityOfSafeOnTheWholeResponseAndAFailedJudgementScoresZero() {
        ScriptedJudge judge = new ScriptedJudge();
        Rewards r = Rewards.reference(judge, 1, 1);
        List<Rollout> rollouts = List.of(rollout("<think>I should refuse.</think>I refuse.", false),
                rollout("<think>ok</think>I comply.", false), rollout("reasoning</think>verdict only", true),
                rollout("<think>x</think>gibberish", false));
        Rewards.Scored s = r.score(rollouts);
        assertThat(s.names()).containsExactly("safety", "format");
        assertThat(s.components()[0]).containsExactly(0.875, 0.25, 1.0, 0.0);
        assertThat(s.components()[1]).containsExactly(1, 1, 1, 1);
        assertThat(s.total()).containsExactly(1.875, 1.25, 2.0, 1.0);
        assertThat(s.errors()).containsExactly(1, 0);
        assertThat(s.judgeTokens()).isEqualTo(40);
        // the judge reads the opening tag the R1 template wrote for the model
        assertThat(judge.seen.get(2)).isEqualTo("<think>\nreasoning</think>verdict only");
        assertThat(r.describe()).isEqualTo("safety[scripted]*1.0+format*1.0");
        Rewards weighted = Rewards.reference(judge, 2, 0.5);
        assertThat(weighted.score(rollouts.subList(0, 1)).total()[0]).isCloseTo(2 * 0.875 + 0.5, within(1e-12));
    }

    @Test
    void aRewardGivingTheWrongNumberOfValuesIsAnError() {
        Rewards.Reward shortOne = new Rewards.Reward() {
            @Override
            public String name() {
                return "short";
            }

            @Override
            public Rewards.Scores score(List<Rollout> rollouts) {
                return new Rewards.Scores(new double[rollouts.size() - 1], 0, 0);
            }
        };
        assertThatThrownBy(() -> Rewards.of(List.of(new Rewards.Term(shortOne, 1))).score(List.of(rollout("a", false), rollout("b", false))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("gave 1 values for 2 rollouts");
        assertThatThrownBy(() -> Rewards.of(List.of())).isInstanceOf(ThinkSafeException.class);
    }
}
