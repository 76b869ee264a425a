"""Makes the ONNX fixtures of Tests/EngineTests/ONNXDecodingTests.swift with onnx.helper (the
reference writer of the format), so that the Swift decoder is tested on files it did not write.
Run from the repository root after `pip install onnx`:

    python3 Tests/EngineTests/Fixtures/onnx/make_fixtures.py

Values are simple formulas the Swift test recomputes: weight[i] = (i % 7 - 3) / 8 (exact in float32),
bias[i] = i / 4.
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent


def values(shape, scale=8.0):
    n = int(np.prod(shape))
    return ((np.arange(n) % 7 - 3) / scale).astype(np.float32).reshape(shape)


def gemm_relu():
    """x (1, 4) → Gemm(W (3, 4), b (3), transB=1) → Relu: raw_data weights, float_data bias."""
    w = numpy_helper.from_array(values((3, 4)), "W")
    b = helper.make_tensor("b", TensorProto.FLOAT, [3], [i / 4 for i in range(3)], raw=False)
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="fc1", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["h"], ["y"], name="relu1"),
    ]
    graph = helper.make_graph(
        nodes, "gemm-relu", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], initializer=[w, b])
    model = helper.make_model(graph, producer_name="neuron-probe-fixtures", opset_imports=[helper.make_opsetid("", 13)])
    model.metadata_props.add(key="mean", value="0.5")
    return model


def conv_dynamic_batch():
    """x (N, 1, 5, 5) with a symbolic batch → Conv(2 maps, 3×3, pads 1, strides 1) → Flatten; int64 Shape-like Constant."""
    w = numpy_helper.from_array(values((2, 1, 3, 3)), "conv.weight")
    shape = helper.make_tensor("target", TensorProto.INT64, [2], [-1, 50])
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight"], ["c"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Constant", [], ["s"], name="const", value=shape),
        helper.make_node("Reshape", ["c", "s"], ["y"], name="reshape"),
    ]
    graph = helper.make_graph(
        nodes, "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 50])], initializer=[w])
    return helper.make_model(graph, producer_name="neuron-probe-fixtures", opset_imports=[helper.make_opsetid("", 17)])


def matmul_softmax():
    """x (batch, 1, 2, 3) → Flatten → MatMul(B (6, 4)) → Add(c (4)) → Sigmoid → Dropout → MatMul(D (4, 2)) → Softmax, as
    PyTorch exports a Linear without Gemm; c[i] = i / 4, D from the same formula as the weights."""
    b = numpy_helper.from_array(values((6, 4)), "B")
    c = numpy_helper.from_array((np.arange(4) / 4).astype(np.float32), "c")
    d = numpy_helper.from_array(values((4, 2), scale=4.0), "D")
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flatten", axis=1),
        helper.make_node("MatMul", ["f", "B"], ["m"], name="fc1.matmul"),
        helper.make_node("Add", ["m", "c"], ["a"], name="fc1.add"),
        helper.make_node("Sigmoid", ["a"], ["s"], name="sigmoid"),
        helper.make_node("Dropout", ["s"], ["d"], name="dropout"),
        helper.make_node("MatMul", ["d", "D"], ["logits"], name="fc2"),
        helper.make_node("Softmax", ["logits"], ["p"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 2, 3])],
        [helper.make_tensor_value_info("p", TensorProto.FLOAT, ["batch", 2])], initializer=[b, c, d])
    return helper.make_model(graph, producer_name="neuron-probe-fixtures", opset_imports=[helper.make_opsetid("", 13)])


if __name__ == "__main__":
    for name, model in [
        ("gemm-relu.onnx", gemm_relu()), ("conv-dynamic-batch.onnx", conv_dynamic_batch()), ("matmul-softmax.onnx", matmul_softmax()),
    ]:
        onnx.checker.check_model(model)
        (HERE / name).write_bytes(model.SerializeToString())
        print("wrote", HERE / name)
