using RnnGpu.Layers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>Stateful layers carry their state from batch to batch until ResetStates.</summary>
public class StatefulTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void Two_halves_through_a_stateful_model_equal_the_whole_sequence(int kind)
    {
        Layer Make(bool stateful) => kind switch
        {
            0 => new Lstm(4, returnSequences: true, stateful: stateful, inputShape: [null, 3], batchSize: 2),
            1 => new Gru(4, returnSequences: true, stateful: stateful, inputShape: [null, 3], batchSize: 2),
            _ => new SimpleRnn(4, returnSequences: true, stateful: stateful, inputShape: [null, 3], batchSize: 2),
        };
        var whole = new Sequential(Make(false));
        var halves = new Sequential(Make(true));
        whole.Build(Device.Cpu, seed: 1);
        halves.Build(Device.Cpu, seed: 2);
        halves.SetWeights(whole.GetWeights());

        var x = TestData.Uniform(new Random(1), 1, 2, 8, 3);
        var expected = whole.Predict(x, batchSize: 2);
        var first = halves.Predict(Model.SliceSteps(x, 0, 5), batchSize: 2);
        var second = halves.Predict(Model.SliceSteps(x, 5, 3), batchSize: 2);
        Assert.That(first.Data, Is.EqualTo(Model.SliceSteps(expected, 0, 5).Data).Within(1e-6));
        Assert.That(second.Data, Is.EqualTo(Model.SliceSteps(expected, 5, 3).Data).Within(1e-6));

        halves.ResetStates();
        Assert.That(halves.Predict(Model.SliceSteps(x, 0, 5), batchSize: 2).Data, Is.EqualTo(first.Data), "ResetStates starts over from zeros");
    }
}
