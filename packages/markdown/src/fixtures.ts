/** A long but realistic post: mostly prose, with a log excerpt, a table and lists. */
export function realisticPost(length: number): string {
  const prose =
    'The pump alarmed with **Occlusion Downstream** after about two hours on the ICU floor. We swapped the tubing set, ' +
    'checked the door latch and ran the `P-sensor` calibration from biomed mode, but the alarm came back the next shift. ' +
    'The service manual (see [section 7.3](https://example.com/manual#7.3)) suggests the downstream pressure transducer ' +
    'drifts when the unit is cold-soaked, so we are now logging the raw values each morning before rounds.\n\n';
  const extras =
    '```text\n2024-03-02 16:07:45 ALARM 255-00-046 P_DOWN=17.9psi CH-A RATE=125mL/h <sensor>\n```\n\n' +
    '| Code | Message | Count |\n|:--|:--|--:|\n| 255-00-046 | Occlusion | 14 |\n\n- step one\n- step two\n\n';
  const unit = prose + prose + prose + extras;
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}
