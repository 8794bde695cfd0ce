/// The templates of the standard dunning ladder (`DunningPolicy.standard`), in es-MX. A lender may replace any of them
/// with a new version; these are what a new lender starts with.
public enum MessageTemplates {
    public static let standard: [MessageTemplate] = [
        MessageTemplate(
            key: "recordatorio_previo", channel: .sms,
            body: "{{acreedor}}: Hola {{nombre}}, tu pago de {{monto}} del credito {{credito}} vence el {{fecha_limite}}. Paga por SPEI a la CLABE {{clabe}}. Si ya pagaste, ignora este SMS. Dudas: {{telefono}}. Responde BAJA para no recibir SMS."
        ),
        MessageTemplate(
            key: "aviso_vencimiento", channel: .whatsapp,
            body: "Hola {{nombre}}, hoy {{fecha_limite}} vence tu pago de {{monto}} del crédito {{credito}} con {{acreedor}}. Puedes pagar por SPEI a la CLABE {{clabe}}. Si ya pagaste, ignora este mensaje. Dudas: {{telefono}}.",
            whatsAppName: "aviso_vencimiento_v1"
        ),
        MessageTemplate(
            key: "atraso_temprano", channel: .sms,
            body: "{{acreedor}}: Hola {{nombre}}, no hemos recibido tu pago del credito {{credito}} que vencio el {{fecha_limite}}. Monto al {{fecha_calculo}}: {{monto}}. CLABE {{clabe}}. Si ya pagaste, ignora este SMS. Dudas: {{telefono}}. BAJA para no recibir SMS."
        ),
        MessageTemplate(
            key: "atraso_7", channel: .whatsapp,
            body: "Hola {{nombre}}, tu crédito {{credito}} con {{acreedor}} tiene un pago pendiente desde el {{fecha_limite}}. Monto al {{fecha_calculo}}: {{monto}}. Paga por SPEI a la CLABE {{clabe}} o responde para acordar una fecha de pago. Si ya pagaste, ignora este mensaje.",
            whatsAppName: "atraso_7_v1"
        ),
        MessageTemplate(
            key: "atraso_15", channel: .email, subject: "{{acreedor}}: información sobre tu crédito {{credito}}",
            body: """
            Hola {{nombre}}:

            Tu crédito {{credito}} con {{acreedor}} tiene un pago pendiente desde el {{fecha_limite}} ({{dias_atraso}} días).
            El monto exigible al {{fecha_calculo}} es de {{monto}}, que incluye los intereses moratorios y su IVA.

            Puedes pagar por transferencia SPEI a la CLABE {{clabe}}, a nombre de {{acreedor}}. Si no puedes pagar el total,
            escríbenos o llámanos al {{telefono}} para acordar una fecha o un plan de pago.

            Si ya pagaste, ignora este mensaje.

            Atentamente,
            {{acreedor}} — Unidad de Atención a Usuarios: {{telefono}}
            """
        ),
        MessageTemplate(
            key: "atraso_30", channel: .voice,
            body: "Guion de llamada: identifíquese como {{acreedor}}, confirme que habla con {{nombre}} (nunca con terceros), informe el atraso del crédito {{credito}} desde el {{fecha_limite}} y el monto al {{fecha_calculo}} de {{monto}}; ofrezca una promesa de pago o un plan; registre el resultado."
        ),
    ]

    /// The standard template under `key`.
    public static func standard(_ key: String) -> MessageTemplate? { standard.first { $0.key == key } }
}
