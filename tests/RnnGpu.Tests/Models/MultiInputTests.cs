using RnnGpu.Layers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Models;

/// <summary>Functional models with several inputs: each layer reads its own input.</summary>
public class MultiInputTests
{
    /// <summary>
    /// Two token inputs of the same length, each into its own Embedding and LSTM (an encoder-decoder's two sides): the
    /// second branch's output depends on the second input only, and equals that branch run as a model of its own.
    /// </summary>
    [Test]
    public void Each_embedding_reads_the_tokens_of_its_own_input()
    {
        var random = new Random(4);
        Tensor Tokens()
        {
            var t = new Tensor(3, 5);
            for (int i = 0; i < t.Length; i++) t.Data[i] = random.Next(10);
            return t;
        }
        var (xa, xb) = (Tokens(), Tokens());
        var a = new Input([5], name: "a");
        var b = new Input([5], name: "b");
        var ha = new Lstm(4).Call(new Embedding(10, 3).Call(a));
        var hb = new Lstm(4).Call(new Embedding(10, 3).Call(b));
        using var both = new Model([a, b], [ha, hb]);
        both.Build(Device.Cpu, seed: 1);
        using var second = new Model([b], [hb]);

        var outputs = both.PredictAll([xa, xb]);
        Assert.That(outputs[1].Data, Is.EqualTo(second.Predict(xb).Data), "the second branch on the second input");
        Assert.That(outputs[1].Data, Is.Not.EqualTo(both.PredictAll([xa, xa])[1].Data), "and not on the first");
    }

    [Test]
    public void Unnamed_inputs_get_distinct_Keras_style_names_and_classes_come_from_the_first_output()
    {
        var a = new Input([4, 2]);
        var b = new Input([4, 2]);
        using var model = new Model([a, b], [new Dense(2, ActivationKind.Softmax).Call(new Lstm(3).Call(a)), new Gru(3).Call(b)]);
        model.Build(Device.Cpu, seed: 1);
        Assert.That((a.Name, b.Name), Is.EqualTo(("input", "input_1")));
        var output = new StringWriter();
        model.Output = output;
        model.Summary();
        Assert.That(output.ToString(), Does.Contain(" input (InputLayer)").And.Contain(" input_1 (InputLayer)"));

        var random = new Random(2);
        var (xa, xb) = (TestData.Uniform(random, 1, 5, 4, 2), TestData.Uniform(random, 1, 5, 4, 2));
        var probabilities = model.PredictAll([xa, xb])[0];
        int[] expected = [.. Enumerable.Range(0, 5).Select(r => probabilities.Data[2 * r] >= probabilities.Data[2 * r + 1] ? 0 : 1)];
        Assert.That(model.PredictClasses([xa, xb]), Is.EqualTo(expected));
    }
}
