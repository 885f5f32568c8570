"""A KServe model server (the `kserve` package's own v2 gRPC implementation)
serving one small custom text model, for Switchboard's wire-compatibility
test. Usage: python kserve_echo_server.py HTTP_PORT GRPC_PORT

Model `echo`: text_input (BYTES) and max_tokens (INT32) in, text_output
(BYTES) out, saying what it received so the test can check every tensor
crossed the wire intact.

Model `task_router`: a stand-in for NVIDIA's Triton-served task classifier:
`text` (BYTES) in, `scores` (FP32, one per class: code, chat) out.
"""

import sys

import kserve
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer


class Echo(Model):
    def __init__(self, name: str):
        super().__init__(name)
        self.ready = True

    def get_input_types(self):
        return [
            {"name": "text_input", "datatype": "BYTES", "shape": [1]},
            {"name": "max_tokens", "datatype": "INT32", "shape": [1]},
        ]

    def get_output_types(self):
        return [{"name": "text_output", "datatype": "BYTES", "shape": [1]}]

    async def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        inputs = {i.name: i for i in payload.inputs}
        text = inputs["text_input"].as_numpy().flatten()[0]
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        max_tokens = int(inputs["max_tokens"].as_numpy().flatten()[0]) if "max_tokens" in inputs else -1
        if "INVALID" in text:
            raise kserve.errors.InvalidInput("text_input must not contain INVALID")
        answer = f"kserve heard {len(text)} chars ending {text[-12:]!r} with max_tokens={max_tokens}"
        out = InferOutput(name="text_output", shape=[1], datatype="BYTES", data=[answer])
        return InferResponse(response_id=payload.id or "", model_name=self.name, infer_outputs=[out])


class TaskRouter(Model):
    def __init__(self, name: str):
        super().__init__(name)
        self.ready = True

    def get_input_types(self):
        return [{"name": "text", "datatype": "BYTES", "shape": [-1]}]

    def get_output_types(self):
        return [{"name": "scores", "datatype": "FP32", "shape": [-1, 2]}]

    async def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        import numpy as np

        text = payload.inputs[0].as_numpy().flatten()[0]
        text = (text.decode("utf-8") if isinstance(text, bytes) else str(text)).lower()
        code = any(w in text for w in ("python", "function", "code", "compile"))
        scores = np.array([[0.9, 0.1] if code else [0.2, 0.8]], dtype=np.float32)
        out = InferOutput(name="scores", shape=[1, 2], datatype="FP32", data=scores)
        return InferResponse(response_id=payload.id or "", model_name=self.name, infer_outputs=[out])


if __name__ == "__main__":
    http_port, grpc_port = int(sys.argv[1]), int(sys.argv[2])
    ModelServer(http_port=http_port, grpc_port=grpc_port, workers=1, enable_docs_url=False).start([Echo("echo"), TaskRouter("task_router")])
