"""The ops a learner's graph may hold for the judge to run it, and the check that our part is ours.

TensorFlow's security notes treat a graph as a program: an op can read or write files
(``ReadFile``, ``WriteFile``, ``Save``), map memory (``ImmutableConst``), call back into Python
(``PyFunc``) or print. The judge runs only graphs made of the ops below: arithmetic, the layers
and their gradients, variables and their optimizers, random numbers, shapes and the v1 control
flow that ``tf.cond`` builds; every other op refuses the evidence ("could not be verified").
The list holds every op the project's solutions, the learners' solutions in ``tests/`` and the
seeded mistakes use, and the common ones a learner may choose instead; a gradient penalty (R1, as
the notebook's, or WGAN-GP's) differentiates a gradient, which adds ``DynamicStitch`` (the shape
of a sum's gradient, taken again).
"""

from __future__ import annotations

import tensorflow.compat.v1 as tf

from harness.evidence import EvidenceError

_ARITHMETIC = """
Abs AddN AddV2 Add BiasAdd BiasAddGrad Cast Ceil ClipByValue Cos Div DivNoNan Einsum Erf Exp Floor
FloorDiv FloorMod L2Loss Log Log1p MatMul BatchMatMulV2 Maximum Mean Min Max Minimum Mod Mul Neg Pow
Prod RealDiv Reciprocal ReciprocalGrad Round Rsqrt RsqrtGrad Sign Sin Sqrt SqrtGrad Square
SquaredDifference Sub Sum Xdivy Xlogy
Equal Greater GreaterEqual Less LessEqual LogicalAnd LogicalNot LogicalOr NotEqual Select SelectV2
"""
_LAYERS = """
Conv2D Conv2DBackpropFilter Conv2DBackpropInput DepthwiseConv2dNative
DepthwiseConv2dNativeBackpropFilter DepthwiseConv2dNativeBackpropInput
AvgPool AvgPoolGrad MaxPool MaxPoolGrad MaxPoolV2 MaxPoolGradV2
FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 FusedBatchNormGrad FusedBatchNormGradV2
FusedBatchNormGradV3
Elu EluGrad LeakyRelu LeakyReluGrad Relu Relu6 Relu6Grad ReluGrad Selu SeluGrad Sigmoid SigmoidGrad
Softplus SoftplusGrad Tanh TanhGrad Softmax LogSoftmax
ResizeBilinear ResizeBilinearGrad ResizeNearestNeighbor ResizeNearestNeighborGrad
DepthToSpace SpaceToDepth
"""
_ARRAYS = """
BroadcastArgs BroadcastGradientArgs BroadcastTo ConcatOffset ConcatV2 Const DynamicStitch ExpandDims Fill
GatherV2
Identity IdentityN InvertPermutation MirrorPad MirrorPadGrad OnesLike Pack Pad PadV2 Placeholder
PlaceholderWithDefault PreventGradient Range Rank Reshape Shape ShapeN Size Slice Split SplitV Squeeze
StopGradient StridedSlice StridedSliceGrad Tile Transpose Unpack ZerosLike NoOp
Switch Merge
"""
_STATE = """
Assign AssignAdd AssignSub AssignVariableOp AssignAddVariableOp AssignSubVariableOp IsVariableInitialized
ReadVariableOp VarHandleOp VarIsInitializedOp VariableV2
ApplyAdam ResourceApplyAdam ApplyGradientDescent ResourceApplyGradientDescent ApplyMomentum
ResourceApplyMomentum ApplyRMSProp ResourceApplyRMSProp
RandomStandardNormal RandomUniform TruncatedNormal StatelessRandomNormal StatelessRandomUniform
StatelessTruncatedNormal StatelessRandomGetKeyCounter StatelessRandomNormalV2 StatelessRandomUniformV2
StatelessTruncatedNormalV2
"""
ALLOWED = frozenset(" ".join([_ARITHMETIC, _LAYERS, _ARRAYS, _STATE]).split())
# TensorFlow's own annotations (colocation, control dependencies), added as the graph grows: not ours.
_ANNOTATION = "_"


def _same(ours, theirs) -> bool:
    attributes = {key for key in {*ours.attr, *theirs.attr} if not key.startswith(_ANNOTATION)}
    return (
        ours.op == theirs.op
        and list(ours.input) == list(theirs.input)
        and all(ours.attr.get(key) == theirs.attr.get(key) for key in attributes)
    )


def require_scaffold(graph: tf.Graph, scaffold, case) -> None:
    """Checks that the part of ``graph`` our check built (``scaffold(case)``) is as we build it.

    Raises:
        EvidenceError: One of our nodes is missing or was changed.
    """
    with tf.Graph().as_default() as ours:
        scaffold(case)
    theirs = {node.name: node for node in graph.as_graph_def().node}
    for node in ours.as_graph_def().node:
        if node.name not in theirs or not _same(node, theirs[node.name]):
            raise EvidenceError(f"the graph our check gave it was changed (at {node.name!r})")
