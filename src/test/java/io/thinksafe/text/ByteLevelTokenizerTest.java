package io.thinksafe.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteLevelTokenizerTest {
    @TempDir
    Path tmp;

    @Test
    void everyByteIsATokenAndSpecialTokensStayWhole() {
        ByteLevelTokenizer.write(tmp.resolve("tokenizer.json"), List.of("<s>", "</s>", "<|eot_id|>"));
        try (Tokenizer t = Tokenizer.load(tmp)) {
            String text = "Hi, 世界!\n\t 12";
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = t.encode(text);
            assertThat(ids).hasSize(bytes.length);
            for (int i = 0; i < bytes.length; i++) {
                assertThat(ids[i]).isEqualTo(bytes[i] & 0xff);
            }
            assertThat(t.decode(ids, false)).isEqualTo(text);
            int[] withSpecial = t.encode("<s>ab<|eot_id|>");
            assertThat(withSpecial).containsExactly(256, 'a', 'b', 258);
            assertThat(t.decode(withSpecial, true)).isEqualTo("ab");
            assertThat(t.size()).isEqualTo(259);
        }
    }

    @Test
    void learnedMergesShortenTextsAndRoundTripExactlyWithDigitsKeptApart() {
        List<String> corpus = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            corpus.add("<think>\nThe user asks about bread number " + i + ".\n</think>\n\nThe answer is " + (i * 7) + ".");
        }
        List<String> specials = List.of("<|im_start|>", "<|im_end|>", "<think>", "</think>");
        List<String[]> merges = BpeTrainer.train(corpus, 60, specials);
        assertThat(merges.size()).isBetween(20, 60); // stops when no pair repeats
        assertThat(BpeTrainer.train(corpus, 60, specials)).usingRecursiveComparison().isEqualTo(merges); // deterministic
        ByteLevelTokenizer.write(tmp.resolve("tokenizer.json"), specials, merges);
        try (Tokenizer t = Tokenizer.load(tmp)) {
            String text = "<think>\nThe user asks about bread number 1234.\n</think>\n\nThe answer is 8638.";
            int[] ids = t.encode(text);
            assertThat(t.decode(ids, false)).isEqualTo(text);
            assertThat(ids.length).isLessThan(text.length() / 2);
            assertThat(ids[0]).isEqualTo(256 + merges.size() + 2); // <think> is one token
            int[] digits = t.encode("1234");
            assertThat(digits).hasSize(4);
        }
    }
}
