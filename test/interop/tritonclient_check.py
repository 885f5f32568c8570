"""Drives a server with NVIDIA's own `tritonclient` gRPC client and prints
what it saw as JSON, so Switchboard's simulated Triton (used where no real
Triton can run) is checked against an implementation not written here.
Usage: python tritonclient_check.py HOST:PORT
"""

import json
import queue
import sys

import numpy as np
import tritonclient.grpc as grpcclient


def text_input(name: str, value: str, shape):
    t = grpcclient.InferInput(name, shape, "BYTES")
    t.set_data_from_numpy(np.array([value.encode()], dtype=np.object_).reshape(shape))
    return t


def main() -> None:
    client = grpcclient.InferenceServerClient(url=sys.argv[1])
    report = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "model_ready": client.is_model_ready("ensemble"),
    }
    meta = client.get_model_metadata("ensemble", as_json=True)
    report["inputs"] = [(i["name"], i["datatype"], [int(d) for d in i["shape"]]) for i in meta["inputs"]]
    report["outputs"] = [(o["name"], o["datatype"]) for o in meta["outputs"]]
    config = client.get_model_config("ensemble", as_json=True)["config"]
    report["decoupled"] = config.get("model_transaction_policy", {}).get("decoupled", False)
    report["max_batch_size"] = config.get("max_batch_size", 0)

    # Decoupled streaming, as TensorRT-LLM clients do it.
    results: "queue.Queue" = queue.Queue()
    client.start_stream(callback=lambda result, error: results.put((result, error)))
    max_tokens = grpcclient.InferInput("max_tokens", [1, 1], "INT32")
    max_tokens.set_data_from_numpy(np.array([[16]], dtype=np.int32))
    stream = grpcclient.InferInput("stream", [1, 1], "BOOL")
    stream.set_data_from_numpy(np.array([[True]], dtype=bool))
    client.async_stream_infer(
        "ensemble",
        [text_input("text_input", "Hi", [1, 1]), max_tokens, stream],
        request_id="tc-1",
        enable_empty_final_response=True,
    )
    pieces = []
    while True:
        result, error = results.get(timeout=10)
        if error is not None:
            report["stream_error"] = str(error)
            break
        response = result.get_response()
        if result.as_numpy("text_output") is not None:
            pieces.append(b"".join(result.as_numpy("text_output").flatten()).decode())
        if response.parameters["triton_final_response"].bool_param:
            report["final_id"] = response.id
            break
    client.stop_stream()
    report["stream_pieces"] = pieces

    # Non-decoupled model over ModelInfer, output in raw_output_contents.
    legacy = client.infer("legacy", [text_input("INPUT_0", "Once", [1])])
    report["legacy"] = legacy.as_numpy("OUTPUT_0")[0].decode()

    # Errors surface with the server's message.
    try:
        client.infer("legacy", [text_input("INPUT_0", "INVALID", [1])])
    except grpcclient.InferenceServerException as e:
        report["invalid"] = {"status": e.status(), "message": e.message()}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
