package io.thinksafe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelConfigTest {
    @Test
    void everyNamedShapeSurvivesConfigJson() {
        for (String name : ModelShapes.NAMES) {
            ModelConfig c = ModelShapes.named(name).dtype(DType.BF16).build();
            assertThat(ModelConfig.parse(c.toJson(), name)).as(name).isEqualTo(c);
        }
    }

    @Test
    void realShapesHaveTheirPublishedSizes() {
        // parameter counts as published (embedding included, tied counted once)
        assertThat(ModelShapes.named("qwen3-0.6b").build().parameterCount()).isBetween(590_000_000L, 600_000_000L);
        assertThat(ModelShapes.named("qwen3-8b").build().parameterCount()).isBetween(8_150_000_000L, 8_250_000_000L);
        assertThat(ModelShapes.named("llama3.1-8b").build().parameterCount()).isBetween(8_000_000_000L, 8_050_000_000L);
        assertThat(ModelShapes.named("mistral-7b").build().parameterCount()).isBetween(7_200_000_000L, 7_300_000_000L);
    }

    @Test
    void builderDerivesHeadDimAndRefusesBadHeads() {
        assertThat(ModelConfig.builder(Architecture.LLAMA).vocab(10).hidden(64).intermediate(96).layers(1).heads(4, 2)
                .build().headDim()).isEqualTo(16);
        assertThatThrownBy(() -> ModelConfig.builder(Architecture.LLAMA).vocab(10).hidden(64).intermediate(96).layers(1)
                .heads(4, 3).build()).hasMessageContaining("multiple");
    }
}
